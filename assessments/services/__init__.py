"""Every write goes through a service: validated, atomic, named `<entity>_<action>`."""
