"""What the kiosk shows: the Kivy app, one module per screen, widgets, themes and focus
navigation. The only package that imports Kivy, and only in the modules that draw: the package
itself, themes.py, textlayout.py, context.py, registry.py and xvfb.py stay importable without
opening a window. See screens/README.md for how to add a screen."""
