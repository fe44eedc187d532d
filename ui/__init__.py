"""The verifier workbench: a server-rendered web UI over the verification queue
(`sohoa ui`). See ui/app.py."""
