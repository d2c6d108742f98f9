"""Oversight's writers: its own tables only (the dossier exports and their downloads)."""
