"""The REST API's framework parts (tokens, authentication, pagination, throttling, JSON
errors, permission classes) and the organisation's resources. The higher layers keep
their own resources beside their code (responsibilities/api/, collaboration/meetings/api.py)
and orgmap/urls.py wires them all under /api/v1/. See docs/api.md."""
