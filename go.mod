module moat

go 1.26
