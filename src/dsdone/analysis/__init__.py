"""Static readers shared by the checks and by `init --existing`: they read through the
repository, run nothing, and import no check."""
