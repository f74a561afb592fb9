"""What the kiosk says: speakable text, the speech engine process, the prompt cache and the
audio output, behind one SpeechService in voices.service (see voices/README.md). No Kivy here."""
