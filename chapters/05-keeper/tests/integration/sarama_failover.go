// tests/integration/sarama_failover.go — sarama (Debian's golang package) produces through
// a leader's crash.
//
// Run by failover.py --client sarama:
//   sarama_failover BROKERS TOPIC MAX_RECORDS SECONDS PACE_MS
// An idempotent async producer (Idempotent, WaitForAll, one request in flight per broker,
// as sarama requires for idempotence) sends record i with value "v<i>" to partition i % 3
// (the manual partitioner) at a steady pace, and prints "ack <partition> <offset> <value>"
// for each acknowledged record and "err <value> <error>" for each one it gave up on. It
// stops when its stdin closes, after MAX_RECORDS records or after SECONDS seconds,
// whichever comes first, and then waits for every outstanding record's answer. sarama
// finds the new leader by itself: a failed request refreshes its metadata and the
// record is retried. Version V2_1_0_0 as in sarama_client.go.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

func main() {
	brokers, topic := strings.Split(os.Args[1], ","), os.Args[2]
	max, _ := strconv.Atoi(os.Args[3])
	seconds, _ := strconv.Atoi(os.Args[4])
	pace, _ := strconv.Atoi(os.Args[5])

	config := sarama.NewConfig()
	config.Version = sarama.V2_1_0_0
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Idempotent = true
	config.Net.MaxOpenRequests = 1
	config.Producer.Return.Successes = true
	config.Producer.Return.Errors = true
	config.Producer.Partitioner = sarama.NewManualPartitioner
	config.Producer.Retry.Max = 30
	config.Producer.Retry.Backoff = 200 * time.Millisecond
	config.Producer.Timeout = 5 * time.Second
	config.Net.DialTimeout = 2 * time.Second
	config.Metadata.Retry.Max = 30
	config.Metadata.Retry.Backoff = 200 * time.Millisecond

	producer, err := sarama.NewAsyncProducer(brokers, config)
	if err != nil {
		fmt.Fprintf(os.Stderr, "producer: %v\n", err)
		os.Exit(1)
	}

	var out sync.Mutex
	var answers sync.WaitGroup
	answers.Add(2)
	go func() {
		defer answers.Done()
		for m := range producer.Successes() {
			value, _ := m.Value.Encode()
			out.Lock()
			fmt.Printf("ack %d %d %s\n", m.Partition, m.Offset, value)
			out.Unlock()
		}
	}()
	go func() {
		defer answers.Done()
		for e := range producer.Errors() {
			value, _ := e.Msg.Value.Encode()
			out.Lock()
			fmt.Printf("err %s %s\n", value, strings.ReplaceAll(e.Err.Error(), "\n", " "))
			out.Unlock()
		}
	}()

	stop := make(chan struct{})
	go func() {
		in := bufio.NewReader(os.Stdin)
		for {
			if _, err := in.ReadByte(); err != nil {
				close(stop)
				return
			}
		}
	}()

	deadline := time.After(time.Duration(seconds) * time.Second)
	ticker := time.NewTicker(time.Duration(pace) * time.Millisecond)
	defer ticker.Stop()
produce:
	for i := 0; i < max; i++ {
		select {
		case <-stop:
			break produce
		case <-deadline:
			break produce
		case <-ticker.C:
		}
		producer.Input() <- &sarama.ProducerMessage{
			Topic:     topic,
			Partition: int32(i % 3),
			Value:     sarama.StringEncoder(fmt.Sprintf("v%d", i)),
		}
	}
	// AsyncClose: the outstanding records are still delivered (or fail), then both
	// channels close.
	producer.AsyncClose()
	answers.Wait()
	os.Stdout.Sync()
}
