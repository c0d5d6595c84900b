"""Core views, one module per topic. Each resolves its workgroup through toolkit.permissions."""
