# examples.awk - the commands of a rendered man page, for cli.sh: each
# command line ("invdump -...") joined with the lines it continues onto
# ('\' or '|' at the end; a '\' is dropped), one command a line.  A line
# right after a command with the command's own indentation is the rest of
# a command the formatter broke; it comes out as "BROKEN: " and both.
# The NAME section is no example: in the C locale its dash renders as "--"
# ("invdump -- export ...").
function indent(s) { match(s, /^ */); return RLENGTH }
/^[A-Z][A-Z ]*$/ { section = $0 }
after && NF > 0 && indent($0) == ind { print "BROKEN: " prev " / " $0 }
{ after = 0 }
section == "NAME" { next }
!cmd && /^ +invdump -/ { cmd = 1; ind = indent($0); text = "" }
cmd {
	line = $0; sub(/^ +/, "", line); sub(/ +$/, "", line)
	more = line ~ /[\\|]$/
	sub(/ *\\$/, "", line)
	text = text (text == "" ? "" : " ") line
	if (more)
		next
	print text; cmd = 0; after = 1; prev = line
}
