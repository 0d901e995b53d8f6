package relay

// Mask shows a token safely: its station name and the last four
// characters, "clinic.****3f2a".
func Mask(token string) string {
	name, ok := StationOfToken(token)
	if !ok {
		return "****"
	}
	return name + ".****" + token[len(token)-4:]
}
