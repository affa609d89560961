"""The follow-up's pages, one module per page and its parts."""
