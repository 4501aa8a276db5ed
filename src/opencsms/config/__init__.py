"""The Django project: settings built from the environment, URLs, the API, WSGI and ASGI entry points."""
