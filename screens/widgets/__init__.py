"""The kiosk's shared widgets: the one text widget, the flat button, the scroll area with its
own buttons, and the navigation bar."""
