"""Partner map views, one module per screen family; all resolve the workgroup via toolkit.permissions."""
