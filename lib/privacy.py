"""Personal data as viewers may see it (docs/design.md "Security and privacy").

Share links, the big screen and the map are read by people who must not see
owners' names; only the editor role sees them unmasked.
"""

from __future__ import annotations

import math

MASK = "**"


def mask_name(name: object) -> str:
    """An owner's name as viewers see it: the first character, then ``**`` (陈小明 → 陈**).

    The mask has a fixed length so it does not reveal how long the name is;
    a missing or blank name stays empty.
    """
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = str(name).strip()
    return text[0] + MASK if text else ""
