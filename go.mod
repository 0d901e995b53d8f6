module shipdesk

go 1.26
