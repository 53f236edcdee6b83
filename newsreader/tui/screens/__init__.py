"""The main screen and the modal dialogs, one per module."""
