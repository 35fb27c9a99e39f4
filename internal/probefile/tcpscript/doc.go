// Package tcpscript parses and runs the <script> section of InterMapper
// "tcp-script" probes (probes/spec/05-tcp-script-probes.md): a
// line-oriented language of four-letter commands that talks to a device
// over TCP, optionally TLS, and ends with a status and a reason.
//
// Parse checks a script once: commands, operands, labels, jump targets,
// static regular expressions, BER templates and EVAL expressions, with
// errors naming the probe-file line ("line 47: unknown command "SNED" (did
// you mean SEND?)"). A Script is immutable; Run executes it against one
// device with per-read (idle) timeouts, an overall timeout, a bound on the
// statements executed and cancellation through its context, and returns
// the status, the reason, the variables the script set and a short
// transcript of the conversation.
//
// # Statements
//
// Commands are four upper-case letters (case matters). Operands are
// "strings" (suffix i: case-insensitive, r or an m prefix: regular
// expression), #numbers, @labels and bare words; words that fit no operand
// ("else", "goto", "if disconnected", "-1-") and words in parentheses are
// ignored, and "--" or "<!--" ends the statement. Lines starting with "#",
// "--", "//" or "<!--" (up to "-->") are comments; "@NAME" or "@NAME:" is a
// label (case-insensitive).
//
// Device I/O: CONN #timeout ["TELNET"] ["SECURE"|"SECURE:ADH"|"SECURE:NO_TLS"],
// FAIL (right after CONN), PORT (used only when the device has no port),
// WAIT #secs [@idle] [@disc], IDLE #secs [@idle], DISC [@target], SEND,
// MTCH, EXPT, SKIP, NEXT, LINE ON|OFF|HTML|BER|#n, RCON, BSND, BRCV, RECV.
// Flow: GOTO, CHCK, SBNE, NBNE, NBGT, NBLT, STAT, DONE, EXIT. Variables:
// STOR, SCAT, NADD, EVAL, STRT, TIME. RTPO parses but ends a run as DOWN.
//
// # Jumps
//
// "#n" is the n-th line counted from the first non-blank line of the
// section (blank, comment and label lines count, as in the Developer
// Guide's numbered example); "#+n", "#-n", "@+n" and "@-n" are relative to
// the current line; a jump onto a blank, comment or label line continues
// with the next statement. "#0", and a failing command without a target,
// end the run as DOWN. Targets may use macros ("GOTO @${next}").
//
// # Reading
//
// Input is cut into units by the LINE mode: lines ending in LF or CR-LF
// (without the terminator, at most 4096 bytes), raw blocks (LINE OFF),
// BER messages (LINE BER) or n-byte blocks (LINE #n). MTCH tests the
// current unit, reading one when there is none; it does not consume it.
// EXPT reads until a unit matches, testing the current one first; in raw
// mode it keeps the tail of the previous block, so a string split across
// two reads is found. SKIP passes over units that match. NEXT, SEND and
// BSND discard the current unit.
//
// A read that times out (WAIT/IDLE, default 60 s) goes to the idle
// handler, else to the command's own target, else ends the run as DOWN. A
// closed connection goes to the DISC handler, else the command's target,
// else ends as DOWN. A failed write goes to the DISC handler when there is
// one; otherwise the next read reports the disconnect, so the usual
// "SEND QUIT / MTCH 221 #+2 / EXIT" tail still ends with the STAT status.
//
// # Macros
//
// ${name} is replaced in every operand when the statement runs; values are
// inserted verbatim (a parameter's backslashes and quotes stay as typed),
// while escapes written in the script (\r \n \t \f \b \v \a \" \\ \$ \ooo
// \xhh) are decoded, in regular expressions too (so "[^\\s-]"r is [^\s-]),
// where \b, \$ and unknown escapes (\s, \d, \.) reach the regexp engine
// as written. "$$" is a "$". A bare $name is replaced only when name is a
// defined variable. Names are
// case-insensitive; parameters are variables. Besides variables there are
// the regexp groups ${1}, ${2}, … of the last MTCH/EXPT/SKIP/SBNE, the
// built-ins ${_REMOTEADDRESS} ${_REMOTEPORT} ${_LOCALADDRESS}
// ${_LOCALADDRESS6} ${_LOCALPORT} ${_GMTTIME} ${_VERSION} ${_LINE[:n]}
// ${_IDLETIMEOUT} ${_STRINGTOMATCH} ${_IDLELINE} ${_SECSCONNECTED}
// ${_CONNECT} ${_ACTIVE}, the functions ${_BASE64:s} ${_MD5:s}
// ${_HMAC:key:msg} ${_LENGTH:s} ${_FLOAT:n} ${_URLENCODE:s}
// ${_CVSPASSWORD:s} ${_XOR:s:key}, ${eval:expr}, and ${ADDRESS}, ${PORT},
// ${DEVICENAME}. ${_IDLELINE} is the probe-file line of the statement that
// last took a failure branch. Unknown names expand to "".
//
// # Ending
//
// DONE status ["reason"] ends the run; EXIT, DONE without a status and
// running off the end use the last STAT (OKAY if none). Statuses are
// OKAY, WARN, ALRM, CRIT and DOWN.
package tcpscript
