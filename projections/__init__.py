"""The read side: folds of entries into status, history and explanations, and the views that cache them."""
