// The revision lives in a generated header (scripts/stamp-revision.sh writes it; git ignores
// it) rather than in a compiler flag: changing it then recompiles this one file, not every
// module, and a checkout without it still builds.
#include "CBuildInfo.h"

#if __has_include("revision.h")
#include "revision.h"
#endif

#ifndef KVSERVE_GIT_REVISION
#define KVSERVE_GIT_REVISION "unknown"
#endif

const char *kvserve_git_revision(void) { return KVSERVE_GIT_REVISION; }
