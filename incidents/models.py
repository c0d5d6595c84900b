"""Models of the incidents area (arrive with its issue)."""
