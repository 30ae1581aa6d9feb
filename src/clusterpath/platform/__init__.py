"""The multi-user platform: a web service over the library with accounts, roles, jobs and an audit log.

``create_app`` (app.py) builds the FastAPI application; ``clusterpath serve`` runs it. What each
role may see is decided in one place, access.py; docs/platform.md describes the whole.
"""
