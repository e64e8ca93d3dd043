package show

import (
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// display sends one output to the notebook, in every representation given (e.g. SVG and its
// PNG twin), and waits until GoNB has it: a cell's process may end right after, and GoNB reads
// the display pipe only while the process runs, so an unsynced picture could be lost (seen with
// the model diagram, a 60 kB message, on a busy machine). Outside a notebook it does nothing.
func display(representations map[protocol.MIMEType]any) {
	if !gonbui.IsNotebook {
		return
	}
	gonbui.SendData(&protocol.DisplayData{Data: representations})
	gonbui.Sync()
}

// displayPNG displays one PNG picture (see display).
func displayPNG(png []byte) {
	display(map[protocol.MIMEType]any{protocol.MIMEImagePNG: png})
}
