# Build a static Veileder binary and run it in a small image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /veileder ./cmd/veileder

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /veileder /veileder
ENV VEILEDER_LISTEN=0.0.0.0:8080 VEILEDER_DATA_DIR=/data
EXPOSE 8080
ENTRYPOINT ["/veileder"]
CMD ["serve"]
