module github.com/vantage-monitor/vantage

go 1.26
