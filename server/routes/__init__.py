"""REST areas, one module each."""
