#ifndef KVSERVE_CBUILDINFO_H
#define KVSERVE_CBUILDINFO_H

/// The git revision the binary was built from ("unknown" when none was stamped).
const char *kvserve_git_revision(void);

#endif
