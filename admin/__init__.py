"""The web application: staff workbench, citizen pages, intake API and the county console."""
