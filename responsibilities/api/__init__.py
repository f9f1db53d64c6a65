"""The REST API's resources of this layer: duties, matrix cells, findings, search, role
descriptions and the people sync (the people import, as JSON). The framework parts
(authentication, pagination, errors, permission classes) are orgmap.api's."""
