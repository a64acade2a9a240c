package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"moat/runsc/container"
)

// List is `runsc list`: the containers under --root, as runc prints them.
var List = &cli.Command{
	Name:  "list",
	Usage: "list containers",
	Flags: []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table", Usage: "table or json"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the container IDs"},
	},
	Action: func(c *cli.Context) error {
		cfg, err := setupCommand(c, "", "list")
		if err != nil {
			return err
		}
		cs, err := container.List(cfg)
		if err != nil {
			return err
		}
		if c.Bool("quiet") {
			for _, ct := range cs {
				fmt.Println(ct.ID)
			}
			return nil
		}
		states := make([]container.OCIState, 0, len(cs))
		for _, ct := range cs {
			states = append(states, ct.OCIState())
		}
		switch c.String("format") {
		case "json":
			return json.NewEncoder(os.Stdout).Encode(states)
		case "table":
			w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
			fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
			for _, s := range states {
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
			}
			return w.Flush()
		}
		return fmt.Errorf("invalid format option %q: want table or json", c.String("format"))
	},
}
