"""Kotae's Microsoft Teams app package: manifest, localisation, icons, and the command that zips them.

`python -m manifest build` writes build/kotae-teams-app.zip; see docs/deploy.md.
"""
