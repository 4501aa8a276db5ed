"""The organisation app: organisation, business units and projects, and the people's roles on them."""
