"""The REST API (/api/v1/): partner systems exchange data with one workgroup, authenticated by its API keys."""
