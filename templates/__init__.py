"""What ``dsdone init`` renders (package data; this file lets an editable install find it)."""
