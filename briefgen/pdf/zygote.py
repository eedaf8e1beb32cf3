"""What every PDF worker needs before its first job, done once in the fork server that workers are forked
from (`briefgen.pdf.workers`): WeasyPrint imported (its libraries found from one reading of the linker's
cache, `briefgen.pdf.libraries`), FriBidi loaded, the font configuration built and a small page laid out
(`briefgen.pdf.render.warm_up`: faces, shaping and hyphenation set up, 0.07 s off the first edition a
worker renders on a machine where the sample's floor is 0.78 s).

Importing this module does it. In the fork server, the workers forked afterwards share it (copy-on-write)
and start ready to render; a worker that was not forked from the server (a "spawn" worker) pays for it
when it starts. Nothing here leaves a thread running (a test checks it), so forking afterwards is safe.
"""

from __future__ import annotations

import gc

# The import allocates many objects that live as long as the process (modules) and renders many that die
# young (boxes): fewer collections make the import about 10 % faster and renders steadier.
from briefgen import GC_THRESHOLDS

gc.set_threshold(*GC_THRESHOLDS)

from briefgen.pdf import bidi, libraries  # noqa: E402  (after the collector is set up)

with libraries.found_from_one_cache():
    from briefgen.pdf.render import font_configuration, warm_up

    bidi.available()  # FriBidi loaded here too, once for every worker
gc.freeze()  # what the imports made lives as long as the process: no collection need walk it again
font_configuration()
warm_up()
gc.collect()  # the warm-up's garbage (the imports' objects, frozen, are not walked again)
gc.freeze()
