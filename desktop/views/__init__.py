"""Qt widgets, table models, dialogs and printing. The only layer that imports PySide6."""
