"""The model engine: llama.cpp's server in a child process, supervised by the app."""

from assistant.models.engine.config import EngineConfig
from assistant.models.engine.supervisor import (
    EngineEndpoint,
    EngineSupervisor,
    EngineUnavailableError,
    describe_exit,
)

__all__ = [
    "EngineConfig",
    "EngineEndpoint",
    "EngineSupervisor",
    "EngineUnavailableError",
    "describe_exit",
]
