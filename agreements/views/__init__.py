"""Agreement views, one module per screen family; all resolve the workgroup through toolkit.permissions."""
