/* file.h - the one-pass checks over a local file: an image on a mounted share, a device or a disk */
#ifndef PXEROOT_VERIFY_FILE_H
#define PXEROOT_VERIFY_FILE_H

#include "sink.h"
#include "verify/trust.h"

/* Read PATH once, handing every byte to the sink chain OUT (NULL: none; e.g. a copy into RAM; the
 * checks are appended behind its last sink) and to every check that T asks for, their companion
 * files read from beside PATH with the names used over HTTP (PATH.sig, PATH.cms.sig, the .sha512
 * list of the stem). LABEL (NULL: none) names a progress line. 0 when everything requested passed;
 * otherwise a negative errno after the lines naming the file and the cause. */
int verify_file(const char *path, const struct trust *t, struct sink *out, const char *label);

#endif
