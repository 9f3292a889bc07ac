// tests/integration/sarama_client.go — sarama (Debian's golang package) against the broker.
//
// Run by real_clients.py --client sarama. Sarama 1.22 never asks the broker which
// versions it speaks: it uses the versions of the Kafka release in Config.Version, and
// its default (0.8.2) predates record batches v2. So the client is told a release this
// broker can serve — V2_1_0_0, the newest sarama 1.22 knows below our Kafka-2.3-like
// table — and then sends record batches v2 (Produce v3+), Fetch v4 and Metadata v5.
//
// Produces keyed records with WaitForAll (acks=-1) through the hash partitioner, then
// consumes every partition from the oldest offset and prints one line per record:
// "partition offset key value timestamp_ms".
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/Shopify/sarama"
)

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	broker, topic := os.Args[1], os.Args[2]
	count, _ := strconv.Atoi(os.Args[3])
	base, _ := strconv.ParseInt(os.Args[4], 10, 64)

	config := sarama.NewConfig()
	config.Version = sarama.V2_1_0_0
	config.Producer.RequiredAcks = sarama.WaitForAll
	config.Producer.Return.Successes = true
	config.Producer.Partitioner = sarama.NewHashPartitioner
	config.Metadata.Retry.Max = 10

	producer, err := sarama.NewSyncProducer([]string{broker}, config)
	if err != nil {
		fail("producer", err)
	}
	for i := 0; i < count; i++ {
		msg := &sarama.ProducerMessage{
			Topic:     topic,
			Key:       sarama.StringEncoder(fmt.Sprintf("k%d", i%6)),
			Value:     sarama.StringEncoder(fmt.Sprintf("v%d", i)),
			Timestamp: time.UnixMilli(base + int64(i)*1000),
		}
		if _, _, err := producer.SendMessage(msg); err != nil {
			fail("send", err)
		}
	}
	producer.Close()

	consumer, err := sarama.NewConsumer([]string{broker}, config)
	if err != nil {
		fail("consumer", err)
	}
	partitions, err := consumer.Partitions(topic)
	if err != nil {
		fail("partitions", err)
	}
	total := 0
	for _, p := range partitions {
		pc, err := consumer.ConsumePartition(topic, p, sarama.OffsetOldest)
		if err != nil {
			fail("consume partition", err)
		}
		client, _ := sarama.NewClient([]string{broker}, config)
		newest, err := client.GetOffset(topic, p, sarama.OffsetNewest)
		client.Close()
		if err != nil {
			fail("newest offset", err)
		}
		for n := int64(0); n < newest; n++ {
			select {
			case m := <-pc.Messages():
				fmt.Printf("%d %d %s %s %d\n", m.Partition, m.Offset, m.Key, m.Value, m.Timestamp.UnixMilli())
				total++
			case <-time.After(20 * time.Second):
				fail("consume", fmt.Errorf("timed out after %d records", total))
			}
		}
		pc.Close()
	}
	consumer.Close()
}
