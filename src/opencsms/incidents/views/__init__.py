"""Pages of incident response, one module per noun."""
