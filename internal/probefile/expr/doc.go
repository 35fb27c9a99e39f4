// Package expr implements InterMapper's probe expression language and the
// macro expansion of condition strings and status-window text, as described
// in probes/spec/03-expression-language.md and 04-imml-and-macros.md.
//
// The same language serves CALCULATION variables, threshold lines, alarm
// point conditions, interface_visible/interface_numbered, the TCP EVAL
// command and the ${eval:} macro.
//
// # Grammar
//
// From lowest to highest precedence (03 §2); binary operators associate to
// the left, ":=" and "?:" to the right:
//
//	seq     = assign { ";" assign } [ ";" ]       value of the last
//	assign  = $var ":=" assign | cond
//	cond    = or [ "?" assign ":" assign ]
//	or      = and { ("||" | "or") and }
//	and     = eq { ("&&" | "and") eq }
//	eq      = rel { ("==" | "=" | "!=" | "<>") rel }
//	rel     = add { ("<" | ">" | "<=" | ">=") add }
//	add     = mul { ("+" | "-") mul }
//	mul     = match { ("*" | "/" | "%") match }
//	match   = unary { ("=~" | "!~") unary }
//	unary   = ("-" | "!" | "not") unary | primary
//	primary = number | string | $name | ${any name} | func "(" [ assign { "," assign } ] ")" | "(" seq ")"
//
// Numbers are decimal with optional fraction and exponent, or 0x hex.
// Strings are double-quoted with C escapes (\n \r \t \a \b \f \v \\ \" \'
// \? \$ \xHH \ooo; other escapes such as \d keep their backslash for
// regular expressions) and interpolate $name and ${name}. A $name may
// contain dots between name characters in code ($lcpu.busyPer) but not in
// strings, where a dot ends it as in Perl. Keywords and function names are
// case-insensitive.
//
// Values are numbers, strings or undefined. "+" adds, and joins strings
// when an operand is a string literal or a string that does not read as a
// number; comparisons are numeric under the same condition, else byte-wise
// on the text. Arithmetic reads non-numeric strings like C's atof ("78Fred"
// is 78). TRUE is 1 and FALSE 0; && and || short-circuit. x/0 and x%0 are
// errors wrapping ErrDivideByZero; % is C's fmod. Reading an undefined
// variable is an error wrapping ErrUndefined, unless a short-circuit or a
// ternary guarded by defined("name") (or defined($name)) skips the read.
//
// =~ and !~ match Go regular expressions (RE2, close to the Perl syntax
// the doc points to); on a match the groups are stored as the variables
// "1", "2", … (${1}). Constant patterns are compiled by Parse, others once
// per Expr.
//
// Functions (03 §3, §4, §6b): abs round trunc min max bitand bitor bitxor
// bitlshift bitrshift sin cos tan pi pow sqrt exp log time defined strfind
// strifind strlen sprintf strftime strptime subid substr unpack pack crc32.
package expr
