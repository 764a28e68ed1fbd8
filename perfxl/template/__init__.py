"""Write the locked templates: layout, writer, roster."""
