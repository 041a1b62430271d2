"""Import jobs (issue 8): written by the imports helper."""
