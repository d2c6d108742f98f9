"""Printing a final matter's documents: see ``decisions.services.rendering`` (the writer)."""

from .services.rendering import document_pdf, matter_documents_render, page_count

__all__ = ["document_pdf", "matter_documents_render", "page_count"]
