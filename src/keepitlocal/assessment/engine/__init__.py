"""The principles assessment as pure Python: the framework (versioned data) and its scoring. No Django."""
