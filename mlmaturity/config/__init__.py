"""Groups of settings that `mlmaturity.settings` imports, one subject each.

Django loads `mlmaturity.settings` alone (DJANGO_SETTINGS_MODULE everywhere); these modules only
keep that file readable in one sitting. Each reads its own environment variables when the
settings import it, in the order the settings file lists them, so what is read, its defaults and
which misconfiguration is reported first are as they were in one file.
"""
