"""The official Kontext edit template (official src/utils/text_process.py): the released LoRA was trained on it."""

from __future__ import annotations

_PREFIXES = ("a photo of ", "an image of ", "a picture of ")


def kontext_edit_prompt(instruction: str) -> str:
    for prefix in _PREFIXES:
        if instruction.lower().startswith(prefix):
            instruction = instruction[len(prefix):].strip()
            break
    return (f"Modify the image to depict '{instruction}'. "
            "While preserving the original layout, key object features and human identities "
            "(including facial details), adjust element poses for better composition "
            "and naturally fill in the background. "
            "Ensure the result appears natural and visually harmonious.")
