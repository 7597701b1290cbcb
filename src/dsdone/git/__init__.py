"""The only code that runs git: commands started early and read later, the state of the work
tree, blob sizes, and the search for literals."""
