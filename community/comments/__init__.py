"""The discussion under an essay: leaving comments and replies, and comment permalinks."""
