"""The service layer: config, channels, policy, payloads, HTTP. Never imports Textual."""
