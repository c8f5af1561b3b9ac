"""Printed documents (GB/T 9704-2012 where it applies), rendered to PDF with reportlab. No Qt here."""
