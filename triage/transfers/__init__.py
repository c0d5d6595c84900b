"""Transfer records: closed-loop call transfers between partners, their import, metrics, reports and API."""
