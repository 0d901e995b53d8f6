module shipdesk

go 1.26.0

require (
	fyne.io/fyne/v2 v2.7.1 // indirect
	github.com/boombuler/barcode v1.1.0 // indirect
	github.com/creack/pty v1.1.24 // indirect
	github.com/google/gousb v1.1.3 // indirect
	github.com/makiuchi-d/gozxing v0.1.1 // indirect
	go.bug.st/serial v1.8.0 // indirect
	go.etcd.io/bbolt v1.5.0 // indirect
	golang.org/x/image v0.48.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
	golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect
)
